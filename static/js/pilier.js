// Behaviours shared by every page, bound from data attributes (no inline handler: the
// Content-Security-Policy allows only this site's script files).
//   <form data-confirm="Delete…?">  asks before it is submitted
//   <button data-print>              prints the page
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    const form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });
})();
