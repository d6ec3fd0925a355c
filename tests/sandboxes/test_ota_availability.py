"""Pushes change each channel's own view; read-backs return it; size limits and per-item refusals."""
from tests.sandboxes.ota import EXPEDIA_AUTH, OTA_NS, find

HEAD = f'xmlns="{OTA_NS}" Version="1.0" TimeStamp="2027-01-01T10:00:00Z"'


def test_booking_com_pushes_and_read_back(ota):
    avail = (f'<OTA_HotelAvailNotifRQ {HEAD}><AvailStatusMessages HotelCode="H1">'
             '<AvailStatusMessage BookingLimit="4"><StatusApplicationControl Start="2027-02-01" End="2027-02-02" '
             'InvTypeCode="DBL"/></AvailStatusMessage>'
             '<AvailStatusMessage><StatusApplicationControl Start="2027-02-02" End="2027-02-02" InvTypeCode="DBL" '
             'RatePlanCode="BAR"/><LengthsOfStay><LengthOfStay MinMaxMessageType="SetMinLOS" Time="2"/>'
             '</LengthsOfStay><RestrictionStatus Status="Close" Restriction="Arrival"/></AvailStatusMessage>'
             '</AvailStatusMessages></OTA_HotelAvailNotifRQ>')
    rates = (f'<OTA_HotelRateAmountNotifRQ {HEAD}><RateAmountMessages HotelCode="H1"><RateAmountMessage>'
             '<StatusApplicationControl Start="2027-02-01" End="2027-02-02" InvTypeCode="DBL" RatePlanCode="BAR"/>'
             '<Rates><Rate><BaseByGuestAmts><BaseByGuestAmt AmountAfterTax="120" CurrencyCode="EUR"/>'
             '</BaseByGuestAmts></Rate></Rates></RateAmountMessage></RateAmountMessages></OTA_HotelRateAmountNotifRQ>')
    assert find(ota.bcom("POST", "/OTA_HotelAvailNotif", avail)[1], "Success")
    assert find(ota.bcom("POST", "/OTA_HotelRateAmountNotif", rates)[1], "Success")

    _, root = ota.bcom("GET", "/availability", params={"hotel_id": "H1", "room_id": "DBL", "start": "2027-02-01",
                                                       "end": "2027-02-03"})
    days = find(root, "AvailStatusMessages/AvailStatusMessage")
    assert [d.get("BookingLimit") for d in days] == ["4", "4", None]
    plan = find(days[1], "RatePlans/RatePlan")[0]
    assert (plan.get("AmountAfterTax"), plan.get("CurrencyCode"), plan.get("MinLOS"), plan.get("ClosedToArrival")) \
        == ("120.00", "EUR", "2", "true")
    assert ota.control("GET", "/view/booking_com/H1")["rooms"]["DBL"]["2027-02-01"] == {
        "available": 4, "rates": {"BAR": {"price": "120.00", "currency": "EUR"}}}
    assert ota.control("GET", "/view/expedia/H1")["rooms"] == {}  # another channel knows nothing of it


def _expedia_update(room: str, day: str) -> str:
    return (f'<AvailRateUpdate><DateRange from="{day}" to="{day}"/><RoomType id="{room}" closed="false">'
            '<Inventory totalInventoryAvailable="3"/><RatePlan id="BAR" closed="false"><Rate currency="USD">'
            '<PerDay rate="99.50"/></Rate><Restrictions minLOS="1" maxLOS="30" closedToArrival="false" '
            'closedToDeparture="true"/></RatePlan></RoomType></AvailRateUpdate>')


def test_expedia_pushes_read_back_and_at_most_100_updates(ota):
    body = f'<AvailRateUpdateRQ>{EXPEDIA_AUTH}<Hotel id="H1"/>{_expedia_update("DBL", "2027-03-01")}</AvailRateUpdateRQ>'
    response, root = ota.expedia("ar", body)
    assert response.status_code == 200 and root.find("Success") is not None
    _, root = ota.expedia("parr", f'<ProductAvailRateRetrievalRQ>{EXPEDIA_AUTH}<Hotel id="H1"/><ParamSet>'
                                  '<RoomType id="DBL"/><DateRange from="2027-03-01" to="2027-03-02"/></ParamSet>'
                                  '</ProductAvailRateRetrievalRQ>')
    days = root.findall("AvailRate")
    assert [d.get("date") for d in days] == ["2027-03-01", "2027-03-02"]
    assert days[0].find("RoomType/Inventory").get("totalInventoryAvailable") == "3"
    assert days[0].find("RoomType/RatePlan/Rate/PerDay").get("rate") == "99.50"
    assert days[0].find("RoomType/RatePlan/Restrictions").get("closedToDeparture") == "true"
    assert days[1].find("RoomType/RatePlan") is None

    too_many = "".join(_expedia_update("TWN", f"2027-04-{n % 28 + 1:02d}") for n in range(101))
    response, root = ota.expedia("ar", f'<AvailRateUpdateRQ>{EXPEDIA_AUTH}<Hotel id="H1"/>{too_many}</AvailRateUpdateRQ>')
    assert response.status_code == 400 and root.find("Error").get("code") == "3010"
    assert "TWN" not in ota.control("GET", "/view/expedia/H1")["rooms"]


def _agoda_day(room: str, rates: list[str]) -> dict:
    return {"room_type_id": room, "date": "2027-05-01", "allotment": 2, "stop_sell": False,
            "rates": [{"rate_plan_id": r, "amount": "80.00", "currency": "USD", "min_stay": 1, "max_stay": 7,
                       "closed_to_arrival": False, "closed_to_departure": False} for r in rates]}


def test_agoda_one_date_per_call_and_207_for_refused_items(ota):
    response, data = ota.agoda("PUT", "/availability", "availability_results", _agoda_day("DBL", ["BAR"]),
                               "availability_request")
    assert response.status_code == 200 and data["results"][0]["status"] == "ok"

    ota.configure(extra={"refuse_items": ["NRF", "SUITE"]})
    response, data = ota.agoda("PUT", "/availability", "availability_results", _agoda_day("TWN", ["BAR", "NRF"]),
                               "availability_request")
    assert response.status_code == 207
    assert [(r["rate_plan_id"], r["status"]) for r in data["results"]] == [("BAR", "ok"), ("NRF", "error")]
    response, data = ota.agoda("PUT", "/availability", "availability_results", _agoda_day("SUITE", ["BAR"]),
                               "availability_request")
    assert response.status_code == 207 and data["results"][0]["code"] == "ITEM_REFUSED"

    view = ota.control("GET", "/view/agoda/H1")["rooms"]
    assert set(view["TWN"]["2027-05-01"]["rates"]) == {"BAR"} and "SUITE" not in view
    _, data = ota.agoda("GET", "/availability", "availability_days",
                        params={"room_type_id": "TWN", "from": "2027-05-01", "to": "2027-05-01"})
    assert data["days"][0]["allotment"] == 2 and data["days"][0]["rates"][0]["amount"] == "80.00"


def test_traveloka_inventory_ranges_read_back_and_at_most_200(ota):
    item = {"room_id": "DBL", "rate_id": "BAR", "start_date": "2027-06-01", "end_date": "2027-06-03", "allotment": 5,
            "price": "70.00", "currency": "IDR", "min_los": 1, "max_los": 14, "cta": False, "ctd": False,
            "stop_sell": True}
    response, data = ota.traveloka("POST", "/inventory", "inventory_accepted", {"updates": [item]}, "inventory_request")
    assert response.status_code == 200 and data == {"accepted": 1}
    _, data = ota.traveloka("GET", "/inventory", "inventory_days",
                            params={"room_id": "DBL", "start_date": "2027-06-03", "end_date": "2027-06-04"})
    assert [(d["allotment"], [r["stop_sell"] for r in d["rates"]]) for d in data["days"]] == [(5, [True]), (None, [])]

    response, data = ota.traveloka("POST", "/inventory", "inventory_accepted", {"updates": [item] * 201},
                                   "inventory_request")
    assert response.status_code == 400 and "200" in data["errorMessage"]


def test_trip_com_inventory_ranges_read_back_and_at_most_200(ota):
    item = {"RoomCode": "DBL", "RateCode": "BAR", "StartDate": "2027-07-01", "EndDate": "2027-07-01", "Allotment": 1,
            "Price": 150, "Currency": "CNY", "MinLOS": 2, "MaxLOS": 9, "CTA": True, "CTD": False, "StopSell": False}
    response, _ = ota.trip("inventory/update", {"HotelCode": "H1", "Items": [item]}, "inventory_update_request",
                           "inventory_update_response")
    assert response.status_code == 200
    _, data = ota.trip("inventory/query", {"HotelCode": "H1", "RoomCode": "DBL", "StartDate": "2027-07-01",
                                           "EndDate": "2027-07-01"}, "inventory_query_request", "inventory_query_response")
    assert data["Days"][0]["Allotment"] == 1
    assert data["Days"][0]["Rates"] == [{"RateCode": "BAR", "Price": "150.00", "Currency": "CNY", "MinLOS": 2,
                                         "MaxLOS": 9, "CTA": True, "CTD": False, "StopSell": False}]
    response, data = ota.trip("inventory/update", {"HotelCode": "H1", "Items": [item] * 201},
                              "inventory_update_request", "inventory_update_response")
    assert response.status_code == 400 and data["ResponseStatus"]["Ack"] == "Failure"
