// Small progressive enhancements shared by every page.

// Filters on the bank page apply as soon as a select changes; the Apply button stays for no-JS use.
document.querySelectorAll("form[data-autosubmit] select").forEach((select) => {
  select.addEventListener("change", () => select.form.requestSubmit());
});
