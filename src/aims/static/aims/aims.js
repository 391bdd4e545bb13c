// AIMS behaviour without inline scripts (the Content-Security-Policy forbids them).
document.addEventListener("DOMContentLoaded", () => {
  // Forms that ask before they do something destructive: <form data-confirm="message">.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
  // Selects that submit their form on change (organization switcher, filters).
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });
  // Copy buttons: <button data-copy="#id">.
  document.querySelectorAll("button[data-copy]").forEach((button) => {
    button.addEventListener("click", () => {
      const target = document.querySelector(button.dataset.copy);
      if (target && navigator.clipboard) navigator.clipboard.writeText(target.textContent.trim());
    });
  });
});
// HTMX requests carry the CSRF token from the cookie-less meta tag set by Django.
document.addEventListener("htmx:configRequest", (event) => {
  const token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (token) event.detail.headers["X-CSRFToken"] = token.value;
});

// Error summaries and other notices that must be read first: <div tabindex="-1" data-focus-on-load>
// takes the keyboard focus when the page opens, so a screen reader announces it.
document.addEventListener("DOMContentLoaded", () => {
  const first = document.querySelector("[data-focus-on-load]");
  if (first) first.focus();
});
