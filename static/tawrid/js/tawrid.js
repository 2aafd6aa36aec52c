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

// A wide table scrolls sideways inside its own box rather than pushing the page wider than the screen (its
// actions then stay reachable, see tawrid.css): the tables of pages written without that box get one here,
// on load and in the parts htmx swaps in.
function tawridWrapTables(root) {
  root.querySelectorAll("table.table").forEach(function (table) {
    if (!table.closest("main") || table.parentElement.classList.contains("table-wrap")) return;
    var wrap = document.createElement("div");
    wrap.className = "table-wrap";
    table.parentNode.insertBefore(wrap, table);
    wrap.appendChild(table);
  });
}
document.addEventListener("DOMContentLoaded", function () { tawridWrapTables(document); });
document.addEventListener("htmx:afterSettle", function () { tawridWrapTables(document); });
