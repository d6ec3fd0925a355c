"""Google Hotel Center feeds, generated from the catalogue and ``inventory``.

- ``hotel_list``: the Hotel List feed (<listings>), every active property.
- ``ari``: ARI messages per property: OTA_HotelRateAmountNotifRQ (nightly base rates),
  TaxFeeInfo (taxes and fees), OTA_HotelAvailNotifRQ (open/close and stay restrictions),
  OTA_HotelInvCountNotifRQ (rooms left).
- ``transactions``: Transaction (Property Data) messages: room and package metadata plus the
  exact totals of a grid of itineraries, priced by ``inventory.selectors.stay_quote``, the
  same function the hotel page uses, so feed totals equal page totals.
- ``store``: generated documents live in the cache; the periodic task regenerates them and the
  views serve them (generating on a miss).
"""
