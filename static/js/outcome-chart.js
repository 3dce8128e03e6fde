// Draws the outcomes chart (templates/public/outcomes.html): per session, one stacked
// bar per body, "not known" at the base. Data from the page's json_script element;
// nothing is built from strings into code, so the strict CSP holds.

const REDUCED_MOTION = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

function draw(figure) {
  const source = document.getElementById(figure.dataset.dataId);
  const canvas = figure.querySelector("canvas");
  if (!source || !canvas || !window.Chart) return;
  const data = JSON.parse(source.textContent);
  new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: data.years.map(String),
      datasets: data.datasets.map((set) => ({
        label: set.label,
        bodyLabel: set.body_label,
        data: set.values,
        stack: set.stack,
        backgroundColor: set.color,
        borderColor: "#ffffff",
        borderWidth: 1,
      })),
    },
    options: {
      animation: REDUCED_MOTION ? false : undefined,
      maintainAspectRatio: false,
      scales: {
        x: { stacked: true },
        y: { stacked: true, beginAtZero: true, title: { display: true, text: data.y_label } },
      },
      plugins: {
        // One entry per outcome: both bodies' bars share the colours.
        legend: {
          position: "bottom",
          labels: { boxWidth: 12, filter: (item, chart) => chart.datasets[item.datasetIndex].stack === chart.datasets[0].stack },
          onClick: () => {},
        },
        subtitle: { display: true, text: data.bar_hint },
        tooltip: {
          callbacks: {
            title: (items) => `${items[0].label} · ${items[0].dataset.bodyLabel}`,
          },
        },
      },
    },
  });
}

function start() {
  for (const figure of document.querySelectorAll("figure.outcome-chart")) draw(figure);
}

if (window.Chart) start();
else window.addEventListener("load", start);
