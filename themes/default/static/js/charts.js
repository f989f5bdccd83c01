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
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button--secondary";
    button.textContent = "Toon interactieve grafiek";
    container.appendChild(button);
    button.addEventListener("click", function () {
      button.disabled = true;
      button.textContent = "Grafiek wordt geladen…";
      loadPlotly().then(function (Plotly) {
        var figure = JSON.parse(container.getAttribute("data-figure"));
        var target = document.createElement("div");
        target.id = "plotly-chart-" + index;
        target.setAttribute("role", "img");
        target.setAttribute("aria-label", container.getAttribute("data-label") + ". De cijfers staan ook in de tabel hierboven.");
        container.replaceChild(target, button);
        var reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
        figure.layout.transition = reduce ? { duration: 0 } : figure.layout.transition;
        Plotly.newPlot(target, figure.data, figure.layout, { responsive: true, displaylogo: false });
      }).catch(function () {
        button.textContent = "De grafiek kon niet worden geladen. De cijfers staan in de tabel.";
      });
    });
  });
})();
