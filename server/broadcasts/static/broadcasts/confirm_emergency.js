// Asks once before an emergency goes out: it takes over the whole screen of every targeted kiosk
// at once, so a slip of the mouse should not evacuate a mall. Notices go out without asking.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form[data-confirm-emergency]");
  if (!form) return;
  form.addEventListener("submit", function (event) {
    var kind = form.querySelector('input[name="kind"]:checked');
    if (kind && kind.value === "emergency" && !window.confirm(form.dataset.confirmEmergency)) {
      event.preventDefault();
    }
  });
});
