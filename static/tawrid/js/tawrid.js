// Small behaviours that need no framework. Loaded as a file (no inline script: the CSP forbids it).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (event) {
      if (!window.confirm(el.getAttribute("data-confirm"))) event.preventDefault();
    });
  });
});

// A suggested code fills the field it was suggested for (the suggestions come from the matching engine).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-fill]");
  if (!button) return;
  var field = document.getElementById(button.getAttribute("data-fill"));
  if (!field) return;
  field.value = button.getAttribute("data-code");
  field.dispatchEvent(new Event("change", { bubbles: true }));
  field.focus();
});
