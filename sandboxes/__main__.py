"""Run one sandbox as a process: ``python -m sandboxes suppliers --port 8101``."""
import argparse
from importlib import import_module

from sandboxes.server import LoopbackServer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("name", help="the sandbox module under sandboxes/, e.g. suppliers, payments, rates")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    server = LoopbackServer(import_module(f"sandboxes.{args.name}").app, host=args.host, port=args.port)
    print(f"sandbox {args.name} on {server.url}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
