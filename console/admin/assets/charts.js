// Renders every <canvas data-chart='{"type":…,"labels":…,"datasets":…}'> with Chart.js (served from
// node_modules by the console). The JSON arrives HTML-escaped in an attribute, so page data can never
// become script. window.__chartsRendered counts charts drawn, for the browser tests.
(function () {
  function render() {
    var palette = ['#2563eb', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#0ea5e9', '#84cc16'];
    var n = 0;
    document.querySelectorAll('canvas[data-chart]').forEach(function (canvas) {
      var spec;
      try {
        spec = JSON.parse(canvas.getAttribute('data-chart'));
      } catch (e) {
        return;
      }
      spec.datasets.forEach(function (d, i) {
        if (!d.backgroundColor) d.backgroundColor = spec.type === 'line' ? palette[i % palette.length] : palette[i % palette.length] + 'cc';
        if (!d.borderColor) d.borderColor = palette[i % palette.length];
      });
      new window.Chart(canvas, {
        type: spec.type,
        data: { labels: spec.labels, datasets: spec.datasets },
        options: Object.assign(
          {
            responsive: true,
            maintainAspectRatio: false,
            animation: false,
            indexAxis: spec.horizontal ? 'y' : 'x',
            plugins: { legend: { position: 'bottom' }, title: { display: !!spec.title, text: spec.title } },
          },
          spec.options || {},
        ),
      });
      n++;
    });
    window.__chartsRendered = n;
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', render);
  else render();
})();
