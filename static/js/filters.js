// The list's filter form sends only the controls that hold a value, so its address
// stays short and shareable (q=&sort=&year_min= would otherwise pile up; the server
// redirects such addresses too, for browsers without JavaScript).
const form = document.getElementById("filters");
if (form) {
  form.addEventListener("submit", () => {
    for (const control of form.querySelectorAll("input, select")) {
      if (!control.disabled && control.name && control.value.trim() === "") {
        control.disabled = true; // disabled controls are not submitted
      }
    }
  });
  // Back from the results: controls disabled above must work again.
  window.addEventListener("pageshow", () => {
    for (const control of form.querySelectorAll("[disabled]")) control.disabled = false;
  });
}
