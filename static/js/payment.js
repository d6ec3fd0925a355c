// Payment page: count down to expiry and keep the status live by polling status.json.
// The page works without this script (a refresh link and a slow meta refresh in <noscript>).
(function () {
  "use strict";
  var root = document.getElementById("payment");
  if (!root) return;
  var url = root.getAttribute("data-status-url");
  var every = (parseInt(root.getAttribute("data-poll-seconds"), 10) || 5) * 1000;
  var countdown = document.getElementById("countdown");
  var left = countdown ? parseInt(countdown.getAttribute("data-seconds"), 10) || 0 : 0;
  var timer = null, poller = null;

  function text(id, value) {
    var el = document.getElementById(id);
    if (el && value !== undefined && el.textContent !== String(value)) el.textContent = value;
  }

  function tick() {
    if (!countdown) return;
    if (left <= 0) { countdown.textContent = "0:00"; clearInterval(timer); return; }
    left -= 1;
    var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    countdown.textContent = h ? h + ":" + pad(m) + ":" + pad(s) : m + ":" + pad(s);
  }

  function nextStep(data) {
    var p = document.getElementById("next-step");
    if (!p) return;
    if (data.settled) {
      p.textContent = "Payment received. ";
      var a = document.createElement("a");
      a.href = data.booking_url; a.id = "booking-link"; a.textContent = "See your booking";
      p.appendChild(a); p.appendChild(document.createTextNode("."));
    } else if (data.status === "processing") {
      p.textContent = "Payment seen; waiting for confirmations. This page updates by itself.";
    } else if (data.status === "expired" && data.exception === "paid_late") {
      p.textContent = "Your payment arrived after the invoice expired. Our staff will review it and contact you.";
    } else if (data.status === "expired") {
      p.textContent = "This invoice expired. Please book again to get a new price.";
    } else if (data.status === "invalid") {
      p.textContent = "This payment could not be completed. Our staff will contact you.";
    }
  }

  function apply(data) {
    var badge = document.getElementById("status");
    if (badge) {
      badge.setAttribute("data-status", data.status);
      text("status", data.status_label + (data.exception_label ? " · " + data.exception_label : ""));
    }
    text("amount-paid", data.amount_paid);
    text("amount-outstanding", data.amount_outstanding);
    text("confirmations", data.confirmations);
    if (data.address) {
      var addr = document.getElementById("address");
      if (addr && addr.tagName !== "CODE") { window.location.reload(); return; }  // the QR code is ready
    }
    if (data.status !== "new") { text("expires", "—"); left = 0; }
    nextStep(data);
    if (data.final) {
      clearInterval(poller);
      var heading = document.getElementById("pay-heading");
      if (heading) heading.textContent = heading.getAttribute("data-final-text");
      Array.prototype.forEach.call(document.querySelectorAll("[data-open-only]"), function (el) { el.hidden = true; });
    }
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) apply(data); })
      .catch(function () { /* offline for a moment: try again at the next tick */ });
  }

  timer = setInterval(tick, 1000);
  poller = setInterval(poll, every);
})();
