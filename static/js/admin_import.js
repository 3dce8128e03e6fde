// While an import request runs, show how many rows the server has read so far.
// The count comes from the progress endpoint named in the form's data-progress-url.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-progress-url]")) {
    form.addEventListener("submit", () => {
      const out = form.querySelector(".import-progress");
      // Disabled after the browser has collected the form data, so the button's name is sent.
      window.setTimeout(() => {
        for (const button of form.querySelectorAll("input[type=submit]")) button.disabled = true;
      }, 0);
      if (!out) return;
      out.hidden = false;
      out.textContent = "Reading the file…";
      const poll = async () => {
        try {
          const response = await fetch(form.dataset.progressUrl, { credentials: "same-origin" });
          if (response.ok) {
            const data = await response.json();
            if (data.rows) out.textContent = `${data.rows.toLocaleString()} rows read…`;
          }
        } catch {
          // The page is being replaced by the answer; nothing to show.
        }
        window.setTimeout(poll, 1000);
      };
      window.setTimeout(poll, 1000);
    });
  }
});
