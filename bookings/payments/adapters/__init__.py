"""HTTP adapters to the outside parties of crypto checkout: the exchange-rate source
(``rates``) and the payment processor (``processor``, BTCPay Greenfield-shaped)."""
