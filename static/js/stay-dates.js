/* Date pickers that cannot pick the past, and a check-out at least one night after check-in.
   The server still checks every date: this only keeps the calendar from offering bad ones. */
(function () {
  function nextDay(iso) {
    var day = new Date(iso + "T00:00:00Z");
    day.setUTCDate(day.getUTCDate() + 1);
    return day.toISOString().slice(0, 10);
  }
  document.querySelectorAll("input[type=date][name=check_in]").forEach(function (checkIn) {
    var checkOut = checkIn.form && checkIn.form.querySelector("input[type=date][name=check_out]");
    if (!checkOut) return;
    function keepOrder(moveCheckOut) {
      if (!checkIn.value) return;
      checkOut.min = nextDay(checkIn.value);
      if (moveCheckOut && (!checkOut.value || checkOut.value < checkOut.min)) checkOut.value = checkOut.min;
    }
    checkIn.addEventListener("change", function () { keepOrder(true); });
    keepOrder(false);
  });
  /* A UTC time also shown on the traveller's own clock, in their locale's format:
     "30 Nov, 19:16 UTC · 1 Dec, 02:16 your time". */
  document.querySelectorAll("time[data-your-time]").forEach(function (el) {
    var when = new Date(el.getAttribute("datetime"));
    if (isNaN(when) || when.getTimezoneOffset() === 0) return;
    var shown = when.toLocaleString([], { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
    el.insertAdjacentText("afterend", " · " + shown + " your time");
  });
  /* The search filters fold away on a phone; the summary still says how many are on. */
  if (window.matchMedia("(max-width: 640px)").matches) {
    document.querySelectorAll("details.filters[open]").forEach(function (d) { d.open = false; });
  }
})();
