// The policy form: the insurer's number format beside the field; the fields that only some sections use.
(function () {
  "use strict";
  const hints = JSON.parse(document.getElementById("insurer-hints").textContent);
  const insurer = document.querySelector("select[name=insurer]");
  const section = document.querySelector("select[name=section]");
  function sync() {
    document.getElementById("insurer-hint").textContent = hints[insurer.value] || "";
    document.querySelectorAll(".only-investment").forEach((el) => (el.hidden = section.value !== "investment"));
    document.querySelectorAll(".only-disability").forEach((el) => (el.hidden = section.value !== "disability"));
  }
  insurer.addEventListener("change", sync);
  section.addEventListener("change", sync);
  sync();
})();
