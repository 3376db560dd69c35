// The receipt pages' 印刷 button: hidden until this script shows it (without a script, the
// page says to use the browser's own 印刷), then prints the page (its print stylesheet).
document.querySelectorAll("button.print").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
