// The inspector board's charts (Apache ECharts, vendored): drawn from the JSON the page carries, and again
// whenever htmx swaps in fresh figures.
(function () {
  "use strict";
  var charts = [];
  function draw() {
    var source = document.getElementById("board-data");
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    charts.forEach(function (c) { c.dispose(); });
    charts = [];
    var bars = document.querySelector('[data-chart="cards"]');
    if (bars) {
      var c1 = echarts.init(bars);
      c1.setOption({
        animation: false, tooltip: { trigger: "axis" }, legend: {}, grid: { left: 8, right: 8, bottom: 8, containLabel: true },
        color: ["#0969da", "#d4a000", "#a40e26"],
        xAxis: { type: "category", data: data.names, axisLabel: { interval: 0, rotate: 30 } },
        yAxis: { type: "value", minInterval: 1 },
        series: ["reminded", "yellow", "red"].map(function (key) {
          return { name: data.labels[key], type: "bar", data: data.series[key] };
        })
      });
      charts.push(c1);
    }
    var pie = document.querySelector('[data-chart="clocks"]');
    if (pie) {
      var c2 = echarts.init(pie);
      c2.setOption({
        animation: false, tooltip: { trigger: "item" }, legend: { bottom: 0 },
        color: ["#116329", "#d4a000", "#a40e26", "#57606a"],
        series: [{ type: "pie", radius: ["35%", "65%"], data: ["on_time", "reminded", "overdue", "paused"].map(function (key) {
          return { name: data.labels[key], value: data.clocks[key] };
        }) }]
      });
      charts.push(c2);
    }
    document.body.dataset.chartsDrawn = String(charts.length);
  }
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSwap", draw);
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
