"""Is this a plausible payout destination for that coin? The sandbox processor's check of a
refund claim's address, per coin family (as a real processor's wallet would refuse it):

- Bitcoin-like chains: bech32 (checksum verified, the chain's own prefix) or base58check
  (checksum verified); Bitcoin Cash also its cashaddr form (format only);
- EVM chains (Ethereum and its tokens, BNB Smart Chain, Polygon, Base, Arbitrum, …): ``0x`` + 40 hex;
- Tron: base58check starting with ``T`` (version byte 0x41);
- Solana: base58, 32 to 44 characters; XRP Ledger: ``r`` + base58 (its own alphabet);
- anything else: a sane shape only (20 to 128 letters, digits or ``:._-``, no spaces).

A coin code is ours (``USDT-TRC20``); its network is its suffix or, without one, the coin itself.
The sandbox knows nothing of the platform's code, so the families are listed here.
"""
import hashlib
import re

BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

# coin (or network suffix) -> the human-readable parts its bech32 addresses start with
BITCOIN_LIKE = {
    "BTC": ("bc", "tb", "bcrt"), "LTC": ("ltc", "tltc", "rltc"), "DOGE": (), "BCH": (), "BTG": ("btg",),
    "BSV": (), "DASH": (), "DGB": ("dgb",), "RVN": (), "VTC": ("vtc",), "SYS": ("sys",), "QTUM": ("qc",),
    "FIRO": (), "ZEC": (), "DCR": (),
}
EVM = {"ETH", "ERC20", "BEP20", "POLYGON", "BASE", "ARB", "OP", "BNB", "MATIC", "AVAX", "ETC", "CELO", "CRO",
       "XDAI", "GLMR", "FTM", "ONE"}
SOLANA = {"SOL", "SOLANA"}
TRON = {"TRX", "TRC20"}
XRP = {"XRP"}

# The coins of the Ethereum network listed in the registry without a suffix (tokens).
ERC20_TOKENS = {"DAI", "LINK", "SHIB", "PEPE", "UNI", "AAVE", "MKR", "CRV", "LDO", "GRT", "SAND", "MANA", "APE",
                "CHZ", "ENS", "COMP", "SNX", "1INCH", "BAT", "ZRX", "YFI", "SUSHI", "IMX", "RNDR", "FET", "WBTC",
                "PAXG", "TUSD", "PYUSD", "EURC", "GNO", "OKB", "LEO", "QNT", "AXS", "ENJ", "GALA", "FDUSD", "CAKE",
                "TWT", "BUSD"}
SOLANA_TOKENS = {"HNT", "JUP", "BONK", "WIF", "PYTH"}


def family(coin: str) -> str:
    coin = coin.upper()
    network = coin.rsplit("-", 1)[-1] if "-" in coin else coin
    if coin == "BTC-LN":
        return "lightning"
    if network in BITCOIN_LIKE:
        return "bitcoin"
    if network in EVM or coin in ERC20_TOKENS:
        return "evm"
    if network in TRON:
        return "tron"
    if network in SOLANA or coin in SOLANA_TOKENS:
        return "solana"
    if network in XRP:
        return "xrp"
    return "other"


def destination_problem(coin: str, destination: str) -> str:
    """Why ``destination`` cannot receive ``coin`` ("" when it can)."""
    destination = (destination or "").strip()
    if not destination:
        return "A destination address is required."
    kind = family(coin)
    check = CHECKS[kind]
    return "" if check(coin.upper(), destination) else f"{destination!r} is not a valid {coin.upper()} address ({HINTS[kind]})."


def _bitcoin(coin: str, address: str) -> bool:
    if coin == "BCH" and re.fullmatch(r"(bitcoincash:)?[qp][02-9ac-hj-np-z]{41}", address.lower()):
        return True
    prefixes = BITCOIN_LIKE[coin.rsplit("-", 1)[-1]]
    return _bech32_ok(address, prefixes) or _base58check_ok(address)


def _evm(coin: str, address: str) -> bool:
    return bool(re.fullmatch(r"0x[0-9a-fA-F]{40}", address))


def _tron(coin: str, address: str) -> bool:
    return address.startswith("T") and len(address) == 34 and _base58check_ok(address, version=0x41)


def _solana(coin: str, address: str) -> bool:
    return bool(re.fullmatch(f"[{BASE58}]{{32,44}}", address))


def _xrp(coin: str, address: str) -> bool:
    return bool(re.fullmatch(r"r[1-9A-HJ-NP-Za-km-z]{24,34}", address))


def _lightning(coin: str, address: str) -> bool:
    return bool(re.fullmatch(r"ln(bc|tb|bcrt)[0-9a-z]{20,}", address.lower())) or "@" in address


def _other(coin: str, address: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z0-9:._-]{20,128}", address))


CHECKS = {"bitcoin": _bitcoin, "evm": _evm, "tron": _tron, "solana": _solana, "xrp": _xrp,
          "lightning": _lightning, "other": _other}
HINTS = {
    "bitcoin": "expected a bech32 address of this chain or a base58 address, with a valid checksum",
    "evm": "expected 0x followed by 40 hexadecimal characters",
    "tron": "expected a Tron address: T followed by 33 base58 characters, with a valid checksum",
    "solana": "expected 32 to 44 base58 characters",
    "xrp": "expected r followed by 24 to 34 base58 characters",
    "lightning": "expected a BOLT11 invoice or a lightning address",
    "other": "expected 20 to 128 letters, digits or :._-",
}


# --- checksums -------------------------------------------------------------------------------
def _bech32_polymod(values: list[int]) -> int:
    generator = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = (checksum & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            checksum ^= generator[i] if (top >> i) & 1 else 0
    return checksum


def _bech32_ok(address: str, prefixes: tuple[str, ...]) -> bool:
    """BIP-173 (bech32, constant 1) or BIP-350 (bech32m) with one of the chain's prefixes."""
    if address.lower() != address and address.upper() != address:
        return False
    address = address.lower()
    hrp, _, data = address.rpartition("1")
    if hrp not in prefixes or not 6 < len(data) <= 84 or any(c not in BECH32 for c in data):
        return False
    values = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + [BECH32.index(c) for c in data]
    return _bech32_polymod(values) in (1, 0x2BC830A3)


def _base58check_ok(address: str, version: int | None = None) -> bool:
    if not 25 <= len(address) <= 35 or any(c not in BASE58 for c in address):
        return False
    number = 0
    for c in address:
        number = number * 58 + BASE58.index(c)
    raw = number.to_bytes(25, "big") if number.bit_length() <= 200 else b""
    if len(raw) != 25:
        return False
    payload, checksum = raw[:-4], raw[-4:]
    if hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] != checksum:
        return False
    return version is None or payload[0] == version
