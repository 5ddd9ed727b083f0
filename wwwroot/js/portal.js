// PocketNet Portal in the browser. Pages are rendered on the server; this file makes them live:
//  - Live sections: an element with data-live="NAME" (and optionally data-live-job="ID") is re-read from the
//    server whenever the SignalR hub (/hubs/jobs) reports progress of a job (of that job, when data-live-job is set).
//    The page's own URL is fetched again and the section is swapped for its fresh copy: the server stays the only
//    renderer, and the script knows nothing about what a section shows.
//  - Charts: an element with data-plot='{"data": [...], "layout": {...}}' is drawn with plotly.js; points with
//    customdata {"url": "..."} open that address when clicked. plotly.js (4.7 MB) is fetched only by a page that has
//    a chart, the first time one appears (also when a live section brings the first one).
(function () {
  "use strict";

  const refreshDelayMs = 400;
  let refreshTimer = null;
  let pendingJobs = new Set();

  let plotlyLoading = null;

  function withPlotly(draw, charts) {
    if (typeof Plotly !== "undefined") { draw(); return; }
    if (plotlyLoading === null) {
      plotlyLoading = new Promise(function (resolve, reject) {
        const script = document.createElement("script");
        script.src = "lib/plotly/plotly.min.js";
        script.onload = resolve;
        script.onerror = function () { reject(new Error("lib/plotly/plotly.min.js could not be loaded")); };
        document.head.appendChild(script);
      });
    }
    plotlyLoading.then(draw, function (error) {
      charts.forEach(function (element) { element.textContent = "chart unavailable: " + error.message; });
    });
  }

  function drawCharts(root) {
    const charts = Array.from(root.querySelectorAll("[data-plot]"));
    if (charts.length === 0) return;
    withPlotly(function () { drawNow(charts); }, charts);
  }

  function drawNow(charts) {
    charts.forEach(function (element) {
      let figure;
      try {
        figure = JSON.parse(element.getAttribute("data-plot"));
      } catch (e) {
        element.textContent = "chart data unreadable: " + e.message;
        return;
      }
      const config = Object.assign({ responsive: true, displaylogo: false }, figure.config || {});
      Plotly.react(element, figure.data || [], figure.layout || {}, config);
      if (!element.dataset.clickBound) {
        element.dataset.clickBound = "1";
        element.on("plotly_click", function (event) {
          const point = event.points && event.points[0];
          const url = point && point.customdata && point.customdata.url;
          if (url) window.location.href = url;
        });
      }
      element.setAttribute("data-plot-drawn", "true");
    });
  }

  function liveSections() {
    return Array.from(document.querySelectorAll("[data-live]"));
  }

  function wants(section, jobs) {
    const job = section.getAttribute("data-live-job");
    return job === null || jobs.has(Number(job));
  }

  async function refresh() {
    refreshTimer = null;
    const jobs = pendingJobs;
    pendingJobs = new Set();
    const sections = liveSections().filter(function (s) { return wants(s, jobs); });
    if (sections.length === 0) return;
    let html;
    try {
      const response = await fetch(window.location.href, { headers: { "X-Live-Refresh": "1" }, credentials: "same-origin" });
      if (!response.ok) return;
      html = await response.text();
    } catch (e) {
      return;
    }
    const fresh = new DOMParser().parseFromString(html, "text/html");
    sections.forEach(function (section) {
      const name = section.getAttribute("data-live");
      const replacement = fresh.querySelector('[data-live="' + name + '"]');
      if (!replacement) return;
      // Keep what the user is typing: a section holding the focused element waits for the next update.
      if (section.contains(document.activeElement) && document.activeElement !== document.body) return;
      section.replaceWith(replacement);
      drawCharts(replacement);
    });
  }

  function onJobUpdate(update) {
    pendingJobs.add(update.id);
    if (refreshTimer === null) refreshTimer = setTimeout(refresh, refreshDelayMs);
  }

  function connect() {
    if (typeof signalR === "undefined" || liveSections().length === 0) return;
    const status = document.getElementById("live-status");
    const connection = new signalR.HubConnectionBuilder()
      .withUrl("hubs/jobs")
      .withAutomaticReconnect()
      .configureLogging(signalR.LogLevel.Warning)
      .build();
    connection.on("job", onJobUpdate);
    connection.onreconnecting(function () { if (status) status.hidden = false; });
    connection.onreconnected(function () {
      if (status) status.hidden = true;
      liveSections().forEach(function (s) { const id = s.getAttribute("data-live-job"); if (id) pendingJobs.add(Number(id)); });
      refresh();
    });
    connection.onclose(function () { if (status) status.hidden = false; });
    connection.start().then(function () {
      document.documentElement.setAttribute("data-live-connected", "true");
    }).catch(function () { if (status) status.hidden = false; });
  }

  window.pocketnet = { drawCharts: drawCharts, refresh: function () { liveSections().forEach(function (s) { const id = s.getAttribute("data-live-job"); pendingJobs.add(id ? Number(id) : -1); }); return refresh(); } };

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts(document);
    connect();
  });
})();
