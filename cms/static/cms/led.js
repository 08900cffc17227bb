/* LED mode of the result board: shows one panel at a time, rotating every
 * data-rotate-seconds, and reloads the page every data-refresh-seconds
 * (after checking that the server answers, so that a screen never gets
 * stuck on an error page). Without JavaScript every panel is shown, one
 * below the other, and a <noscript> meta refresh reloads the page.
 *
 * Keys: → / ← next / previous panel, space pauses. With
 * prefers-reduced-motion the panels change without a transition.
 * No library, no network access but the page's own address. */
(function () {
  "use strict";

  var body = document.body;
  var container = document.querySelector("[data-led-panels]");
  var rotateSeconds = Math.max(3, parseInt(body.getAttribute("data-rotate-seconds"), 10) || 15);
  var refreshSeconds = Math.max(30, parseInt(body.getAttribute("data-refresh-seconds"), 10) || 300);
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  /* --- the clock ------------------------------------------------------- */
  /* The centre's time (data-time-zone), whatever zone the screen's computer is set to. */
  var clock = document.querySelector("[data-led-clock]");
  var zone = body.getAttribute("data-time-zone") || undefined;
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    if (!clock) { return; }
    var now = new Date();
    try {
      clock.textContent = now.toLocaleTimeString("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit", hour12: false });
    } catch (error) {  /* an unknown zone: the screen's own time */
      clock.textContent = pad(now.getHours()) + ":" + pad(now.getMinutes());
    }
  }
  tick();
  window.setInterval(tick, 10000);

  /* --- reloading ------------------------------------------------------- */
  function reload() {
    var done = function (ok) {
      if (ok) { window.location.reload(); } else { window.setTimeout(reload, 60000); }
    };
    if (!window.fetch) { done(true); return; }
    window.fetch(window.location.href, { cache: "no-store", credentials: "same-origin" })
      .then(function (response) { done(response.status < 500); })
      .catch(function () { done(false); });
  }
  window.setTimeout(reload, refreshSeconds * 1000);

  /* --- rotating -------------------------------------------------------- */
  if (!container) { return; }
  var panels = Array.prototype.slice.call(container.querySelectorAll(".led-panel"));
  if (panels.length < 2) { return; }
  body.classList.add("led--rotating");
  if (reduceMotion) { body.classList.add("led--still"); }

  var dots = document.querySelector("[data-led-dots]");
  var dotItems = panels.map(function () {
    var dot = document.createElement("li");
    if (dots) { dots.appendChild(dot); }
    return dot;
  });

  var current = 0;
  var paused = false;
  var timer = null;

  function show(index) {
    current = (index + panels.length) % panels.length;
    panels.forEach(function (panel, i) {
      var on = i === current;
      panel.classList.toggle("is-current", on);
      panel.setAttribute("aria-hidden", on ? "false" : "true");
      dotItems[i].classList.toggle("is-current", on);
    });
  }

  function schedule() {
    window.clearTimeout(timer);
    if (!paused) {
      timer = window.setTimeout(function () { show(current + 1); schedule(); }, rotateSeconds * 1000);
    }
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "ArrowRight") { show(current + 1); schedule(); }
    else if (event.key === "ArrowLeft") { show(current - 1); schedule(); }
    else if (event.key === " " || event.key === "Spacebar") {
      paused = !paused;
      body.classList.toggle("led--paused", paused);
      schedule();
      event.preventDefault();
    }
  });

  show(0);
  schedule();
}());
