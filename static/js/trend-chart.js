// Draws every <figure class="trend-chart"> on the page (templates/includes/chart.html)
// with Chart.js, which chart_scripts.html loads first as a deferred classic script.
// Data comes from a json_script element (data-data-id) or the JSON endpoint (data-src);
// nothing here is built from strings into code, so the strict CSP holds.

// Same list, same order as MARKERS in public/charts.py: the table's keys match.
const MARKERS = ["circle", "rect", "triangle", "rectRot", "star", "crossRot"];
const REDUCED_MOTION = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

const percent = (value) => `${(value * 100).toFixed(1)}%`;

// The words come from the figure's data-t-* attributes (templates/includes/chart_strings.html),
// so they are in the page's language; the English here is only a fallback.
function say(figure, key, fallback) {
  return figure.dataset[key] || fallback;
}

function formatValue(value, measure, figure) {
  if (value === null || value === undefined) return say(figure, "tNoValue", "no proposals");
  return measure === "share" ? percent(value) : String(value);
}

function listHref(figure, topic, year) {
  const params = new URLSearchParams({ topic, year: String(year) });
  for (const [name, value] of new URLSearchParams(figure.dataset.listQuery || "")) {
    params.append(name, value);
  }
  return `${figure.dataset.listUrl}?${params}`;
}

function scopeFromSource(src) {
  // A fetched chart's list links keep the endpoint's body, delegate and company.
  const given = new URL(src, window.location.href).searchParams;
  const scope = new URLSearchParams();
  for (const name of ["body", "delegate", "company"]) {
    for (const value of given.getAll(name)) scope.append(name, value);
  }
  return scope.toString();
}

function lineConfig(figure, data, kind) {
  const stacked = kind === "area";
  return {
    type: "line",
    data: {
      // The total behind each share under its year: "2019 · 31".
      labels: data.years.map((year, i) =>
        data.measure === "share" && data.totals && data.totals[i] != null
          ? [String(year), `n=${data.totals[i]}`]
          : String(year),
      ),
      datasets: data.series.map((series, index) => ({
        label: series.name,
        topic: series.topic,
        // Stacked shares are each topic's part of the shown topics (they add up to
        // 100%); the table keeps the share of all proposals.
        data: stacked && data.stacked ? data.stacked[index] : series.values,
        borderColor: series.color,
        backgroundColor: stacked ? `${series.color}b3` : series.color,
        fill: stacked ? (index === 0 ? "origin" : "-1") : false,
        pointStyle: MARKERS[index % MARKERS.length],
        // Past the sixth series the shapes repeat; a dashed line tells them apart.
        borderDash: index >= MARKERS.length ? [6, 4] : [],
        pointRadius: 4,
        pointHoverRadius: 7,
        borderWidth: 2,
        spanGaps: false,
      })),
    },
    options: {
      scales: {
        x: { stacked },
        y: {
          stacked,
          beginAtZero: true,
          ...(stacked && data.stacked ? { max: 1 } : {}),
          ticks: data.measure === "share" ? { callback: percent } : { precision: 0 },
        },
      },
      onClick(event, elements, chart) {
        const hit = elements[0];
        if (!hit) return;
        const dataset = chart.data.datasets[hit.datasetIndex];
        window.location.assign(listHref(figure, dataset.topic, data.years[hit.index]));
      },
    },
  };
}

function barConfig(figure, data) {
  // One year: a bar per topic, labelled on the axis (no legend needed).
  const year = data.years[0];
  return {
    type: "bar",
    data: {
      labels: data.series.map((series) => series.name),
      datasets: [
        {
          label: String(year),
          data: data.series.map((series) => series.values[0]),
          backgroundColor: data.series.map((series) => series.color),
        },
      ],
    },
    options: {
      indexAxis: "y",
      plugins: { legend: { display: false } },
      scales: {
        x: {
          beginAtZero: true,
          ticks: data.measure === "share" ? { callback: percent } : { precision: 0 },
        },
      },
      onClick(event, elements) {
        const hit = elements[0];
        if (!hit) return;
        window.location.assign(listHref(figure, data.series[hit.index].topic, year));
      },
    },
  };
}

function draw(figure, data) {
  const canvas = figure.querySelector("canvas");
  if (!canvas || !window.Chart || data.years.length === 0) return;
  const kind = data.years.length === 1 ? "bar" : figure.dataset.kind || "line";
  const config = kind === "bar" ? barConfig(figure, data) : lineConfig(figure, data, kind);
  Object.assign(config.options, {
    responsive: true,
    maintainAspectRatio: false,
    animation: REDUCED_MOTION ? false : { duration: 400 },
    interaction: { mode: "nearest", intersect: true },
    onHover(event, elements) {
      canvas.classList.toggle("is-pointing", elements.length > 0);
    },
  });
  config.options.plugins = {
    legend: { position: "bottom", labels: { usePointStyle: true, boxHeight: 8 } },
    ...config.options.plugins,
    tooltip: {
      callbacks: {
        label(item) {
          const name = kind === "bar" ? item.label : item.dataset.label;
          return `${name}: ${formatValue(item.raw, data.measure, figure)}`;
        },
        footer(items) {
          const total = data.totals && items.length ? data.totals[items[0].dataIndex] : null;
          return data.measure === "share" && total != null && kind !== "bar" ? `n = ${total}` : "";
        },
      },
    },
  };
  return new window.Chart(canvas, config);
}

function cell(tag, text, attributes = {}) {
  const element = document.createElement(tag);
  element.textContent = text;
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  return element;
}

function buildTable(figure, data) {
  // The fetched chart's accessible table, the same shape as the server-drawn one.
  const holder = figure.querySelector("[data-table]");
  if (!holder) return;
  if (data.years.length === 0) {
    holder.replaceChildren(cell("p", say(figure, "tEmpty", "No proposals in this selection."), { class: "empty" }));
    return;
  }
  const table = document.createElement("table");
  table.className = "trend-table";
  const title = figure.querySelector("figcaption")?.textContent ?? "";
  const measureNote =
    data.measure === "share"
      ? say(figure, "tShareNote", " (share of all proposals that year)")
      : say(figure, "tCountNote", " (proposals)");
  table.append(cell("caption", title + measureNote));
  const head = table.createTHead().insertRow();
  head.append(cell("th", say(figure, "tTopic", "Topic"), { scope: "col" }));
  for (const year of data.years) head.append(cell("th", String(year), { scope: "col" }));
  const body = table.createTBody();
  for (const series of data.series) {
    const row = body.insertRow();
    row.append(cell("th", series.name, { scope: "row" }));
    series.values.forEach((value, index) => {
      const td = row.insertCell();
      if (value === null) {
        td.append(cell("span", "–", { "aria-hidden": "true" }));
        td.append(cell("span", say(figure, "tGap", "no proposals this year"), { class: "visually-hidden" }));
      } else if (value > 0) {
        const link = cell("a", formatValue(value, data.measure, figure));
        link.href = listHref(figure, series.topic, data.years[index]);
        td.append(link);
      } else {
        td.textContent = formatValue(value, data.measure, figure);
      }
    });
  }
  holder.replaceChildren(table);
}

function replaceChart(figure, message) {
  figure.querySelector(".chart-box")?.replaceWith(cell("p", message, { class: "empty" }));
  figure.querySelector(".chart-hint")?.remove();
}

async function problemsOf(response) {
  // A 400 names each bad parameter and why; show that rather than a bare status.
  try {
    const { errors } = await response.json();
    return Object.entries(errors)
      .map(([name, reasons]) => `${name}: ${reasons.join(" ")}`)
      .join("; ");
  } catch {
    return `HTTP ${response.status}`;
  }
}

async function fetchAndDraw(figure) {
  figure.dataset.listQuery = scopeFromSource(figure.dataset.src);
  let response;
  try {
    response = await fetch(figure.dataset.src, { headers: { Accept: "application/json" } });
  } catch (error) {
    replaceChart(
      figure,
      say(figure, "tLoadFailed", "The chart could not be loaded; the CSV link below may still work."),
    );
    console.error("trend chart", figure.id, error);
    return;
  }
  if (!response.ok) {
    replaceChart(figure, `${say(figure, "tCannotDraw", "This chart cannot be drawn:")} ${await problemsOf(response)}`);
    return;
  }
  const data = await response.json();
  buildTable(figure, data);
  if (data.years.length === 0) {
    replaceChart(figure, say(figure, "tNothing", "No proposals in this selection, so nothing to draw."));
    return;
  }
  draw(figure, data);
}

for (const figure of document.querySelectorAll("figure.trend-chart")) {
  if (figure.dataset.src) {
    fetchAndDraw(figure);
  } else if (figure.dataset.dataId) {
    const source = document.getElementById(figure.dataset.dataId);
    if (source) draw(figure, JSON.parse(source.textContent));
  }
}
