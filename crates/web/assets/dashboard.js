/* 守望 dashboard: draws every <div class="chart" data-chart="{ECharts option as JSON}"> with ECharts.
   The same figures are in the tables under each chart, so the page works without JavaScript. */
(function () {
  if (!window.echarts) { return; }
  var charts = [];
  var nodes = document.querySelectorAll('.chart[data-chart]');
  for (var i = 0; i < nodes.length; i++) {
    try {
      var chart = window.echarts.init(nodes[i], null, { renderer: 'svg' });
      chart.setOption(JSON.parse(nodes[i].getAttribute('data-chart')));
      nodes[i].setAttribute('data-drawn', '1');
      charts.push(chart);
    } catch (e) {
      nodes[i].setAttribute('data-error', String(e));
    }
  }
  window.addEventListener('resize', function () {
    for (var j = 0; j < charts.length; j++) { charts[j].resize(); }
  });
})();
