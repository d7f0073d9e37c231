/* Dashboard behaviour that works without a framework and degrades to plain forms:
   - <select data-searchable>: a search box above it filters the options (diacritics optional);
   - queue: "select all" checkbox, the bulk bar shows the fields of the chosen action;
   - a reply-template <select data-template-for="ID"> fills textarea #ID with the template text
     (placeholders {code} {deadline} {unit} are filled by the server for each ticket). */
(function () {
  "use strict";
  function fold(s) {
    return (s || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }

  document.querySelectorAll("select[data-searchable]").forEach(function (sel) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "searchable-filter";
    box.placeholder = sel.getAttribute("data-searchable") || "Tìm…";
    box.setAttribute("aria-label", (sel.getAttribute("aria-label") || sel.name) + ": tìm");
    if (sel.id) { box.id = sel.id + "-search"; }
    sel.parentNode.insertBefore(box, sel);
    box.addEventListener("input", function () {
      var q = fold(box.value).trim(), first = null;
      Array.prototype.forEach.call(sel.options, function (opt) {
        var show = !q || opt.value === "" || fold(opt.text).indexOf(q) !== -1;
        opt.hidden = !show;
        if (show && opt.value !== "" && first === null) { first = opt; }
      });
      if (q && first) { sel.value = first.value; }
    });
  });

  var all = document.getElementById("select-all");
  if (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll("input.pick").forEach(function (cb) { cb.checked = all.checked; });
      countPicked();
    });
  }
  function countPicked() {
    var n = document.querySelectorAll("input.pick:checked").length, out = document.getElementById("picked-count");
    if (out) { out.textContent = n; }
  }
  document.querySelectorAll("input.pick").forEach(function (cb) { cb.addEventListener("change", countPicked); });

  var action = document.getElementById("bulk-action");
  function showAction() {
    document.querySelectorAll("[data-bulk]").forEach(function (el) {
      var on = el.getAttribute("data-bulk") === action.value;
      el.hidden = !on;
      el.querySelectorAll("input,select,textarea").forEach(function (f) { f.disabled = !on; });
    });
  }
  if (action) { action.addEventListener("change", showAction); showAction(); }

  document.querySelectorAll("select[data-template-for]").forEach(function (sel) {
    sel.addEventListener("change", function () {
      var opt = sel.options[sel.selectedIndex], target = document.getElementById(sel.getAttribute("data-template-for"));
      if (target && opt && opt.getAttribute("data-body")) { target.value = opt.getAttribute("data-body"); }
    });
  });
})();
