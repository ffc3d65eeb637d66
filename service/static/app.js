/* Progressive touches only: every page works without this file. */
(function () {
  "use strict";
  // Highlight the paragraph or table row named in the address (#p-12) and keep it in view.
  function markTarget() {
    document.querySelectorAll(".is-target").forEach(function (el) { el.classList.remove("is-target"); });
    if (!location.hash) return;
    var el = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (!el) return;
    el.classList.add("is-target");
    el.setAttribute("tabindex", "-1");
    el.focus({ preventScroll: true });
    el.scrollIntoView({ block: "center" });
  }
  window.addEventListener("hashchange", markTarget);
  document.addEventListener("DOMContentLoaded", markTarget);

  // Filter selects submit their form at once (the button still works without JS).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (sel) {
    sel.addEventListener("change", function () { sel.form.submit(); });
  });
})();
