// Draws every <figure class="echo-chart"> (templates/includes/topic_echo.html): a
// topic's proposals per year as a line, the years the Government Work Report named
// the topic marked with larger, differently shaped points. Data from json_script;
// nothing is built into code from strings, so the strict CSP holds.

const REDUCED_MOTION = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

function draw(figure) {
  const source = document.getElementById(figure.dataset.dataId);
  const canvas = figure.querySelector("canvas");
  if (!source || !canvas || !window.Chart) return;
  const data = JSON.parse(source.textContent);
  const named = new Set(data.named);
  const first = Math.min(...data.years, ...data.named);
  const last = Math.max(...data.years, ...data.named);
  const years = [];
  for (let year = first; year <= last; year += 1) years.push(year);
  const counts = new Map(data.years.map((year, i) => [year, data.counts[i]]));
  const styles = getComputedStyle(document.documentElement);
  const line = styles.getPropertyValue("--accent").trim() || "#1f5fa8";
  const mark = styles.getPropertyValue("--warn").trim() || "#b3471d";
  new window.Chart(canvas, {
    type: "line",
    data: {
      labels: years.map(String),
      datasets: [
        {
          label: figure.dataset.lineLabel || "Proposals",
          data: years.map((year) => counts.get(year) ?? 0),
          borderColor: line,
          backgroundColor: years.map((year) => (named.has(year) ? mark : line)),
          pointStyle: years.map((year) => (named.has(year) ? "rectRot" : "circle")),
          pointRadius: years.map((year) => (named.has(year) ? 8 : 3)),
          borderWidth: 2,
        },
      ],
    },
    options: {
      animation: REDUCED_MOTION ? false : undefined,
      maintainAspectRatio: false,
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            afterLabel: (item) =>
              named.has(years[item.dataIndex]) ? figure.dataset.namedLabel || "" : "",
          },
        },
      },
    },
  });
}

for (const figure of document.querySelectorAll("figure.echo-chart")) draw(figure);
