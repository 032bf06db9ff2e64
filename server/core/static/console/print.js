// Print buttons and links: an element with data-print prints the page. A listener here rather
// than an onclick attribute, which the Content-Security-Policy (no inline script) would block.
document.addEventListener("click", function (event) {
  var control = event.target.closest("[data-print]");
  if (!control) return;
  event.preventDefault();
  window.print();
});
