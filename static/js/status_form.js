// The social status form: the company's financial year only concerns a company director.
(function () {
  "use strict";
  const box = document.getElementById("company-fields");
  function sync() {
    const checked = document.querySelector("input[name=social_status]:checked");
    box.hidden = !(checked && checked.value === "company_director");
  }
  document.querySelectorAll("input[name=social_status]").forEach((el) => el.addEventListener("change", sync));
  sync();
})();
