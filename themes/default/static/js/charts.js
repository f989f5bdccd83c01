/* Interactive charts as an enhancement. Every chart is already on the page as
   text bars and a table; this script adds a button per chart that loads the
   site's own copy of plotly.js (once) only when the reader asks for it, so
   the page stays light and usable before and without it. */
(function () {
  "use strict";
  var containers = document.querySelectorAll(".plotly-chart[data-figure]");
  if (!containers.length || !window.fetch) return;
  var script = document.currentScript || document.querySelector("script[data-plotly]");
  var plotlySrc = script && script.getAttribute("data-plotly");
  var loading = null;

  function loadPlotly() {
    if (window.Plotly) return Promise.resolve(window.Plotly);
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = plotlySrc;
        s.onload = function () { resolve(window.Plotly); };
        s.onerror = reject;
        document.head.appendChild(s);
      });
    }
    return loading;
  }

  Array.prototype.forEach.call(containers, function (container, index) {
    var subject = container.getAttribute("data-label");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button--secondary";
    // Every chart has the same visible text; the hidden subject tells them apart in a list of buttons.
    var visible = document.createElement("span");
    visible.textContent = "Toon interactieve grafiek";
    var hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = ": " + subject;
    button.appendChild(visible);
    button.appendChild(hidden);
    container.appendChild(button);
    var busy = false;
    button.addEventListener("click", function () {
      // aria-disabled, not disabled: a disabled button loses focus to <body> while plotly loads.
      if (busy) return;
      busy = true;
      button.setAttribute("aria-disabled", "true");
      visible.textContent = "Grafiek wordt geladen…";
      loadPlotly().then(function (Plotly) {
        var figure = JSON.parse(container.getAttribute("data-figure"));
        var target = document.createElement("div");
        target.id = "plotly-chart-" + index;
        target.className = "plotly-chart__figure";
        target.setAttribute("role", "img");
        target.setAttribute("aria-label", "Interactieve grafiek: " + subject + ". De cijfers staan ook in de tabel hierboven.");
        // Focus moves with the reader to what replaced the button (WCAG 2.4.3), not to <body>.
        target.tabIndex = -1;
        container.replaceChild(target, button);
        target.focus();
        var reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
        figure.layout.transition = reduce ? { duration: 0 } : figure.layout.transition;
        // No mode bar: its buttons are English and would be controls inside role="img".
        return Plotly.newPlot(target, figure.data, figure.layout, { responsive: true, displayModeBar: false });
      }).catch(function () {
        busy = false;
        button.removeAttribute("aria-disabled");
        visible.textContent = "De grafiek kon niet worden geladen. De cijfers staan in de tabel.";
      });
    });
  });
})();
