/* The registration form, a little faster: keys 1 to 9 choose a theme and Enter saves (when the
   focus is not in a field one types in), the "referred to" choice shows only for a referral, and
   a second press of Save while the first is on its way does nothing. The form works fully without
   this script: the server checks everything and recognises a double submission itself. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-register]");
  if (!form) {
    return;
  }
  var TYPING = /^(text|email|number|search|tel|url|password|date|time|datetime-local)$/;

  function isTypingIn(element) {
    if (!element || element === document.body) {
      return false;
    }
    var tag = element.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT" || element.isContentEditable) {
      return true;
    }
    return tag === "INPUT" && TYPING.test(element.type);
  }

  // Only a focus that would otherwise do nothing with Enter (the page itself, a radio button or
  // a checkbox) saves; buttons, links and summaries keep their own meaning of Enter.
  function entersSave(element) {
    if (!element || element === document.body || element === document.documentElement) {
      return true;
    }
    return element.tagName === "INPUT" && (element.type === "radio" || element.type === "checkbox");
  }

  var shortcuts = document.querySelector("[data-shortcuts]");
  if (shortcuts) {
    shortcuts.hidden = false;
  }

  var themes = form.querySelectorAll("input[name=theme]");
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.isComposing) {
      return;
    }
    var target = event.target;
    if (isTypingIn(target)) {
      return;
    }
    if (/^[1-9]$/.test(event.key)) {
      var theme = themes[Number(event.key) - 1];
      if (theme) {
        event.preventDefault();
        theme.checked = true;
        theme.focus();
        theme.dispatchEvent(new Event("change", { bubbles: true }));
      }
    } else if (event.key === "Enter" && entersSave(target) && (target === document.body || form.contains(target))) {
      event.preventDefault();
      form.requestSubmit(form.querySelector("button[name=save]"));
    }
  });

  // "Referred to": shown only when the question's outcome is a referral.
  form.querySelectorAll("[data-question]").forEach(function (question) {
    var wrapper = question.querySelector("[data-referred]");
    if (!wrapper) {
      return;
    }
    var outcomes = question.querySelectorAll("[name^=outcome]");
    function update() {
      var referred = false;
      outcomes.forEach(function (input) {
        if ((input.type !== "radio" || input.checked) && input.value === "referred") {
          referred = true;
        }
      });
      // Never hide a choice that still has an error message next to it.
      wrapper.hidden = !referred && !wrapper.querySelector(".errorlist");
    }
    outcomes.forEach(function (input) {
      input.addEventListener("change", update);
    });
    update();
  });

  var sending = false;
  form.addEventListener("submit", function (event) {
    if (sending) {
      event.preventDefault();
      return;
    }
    sending = true;
  });
  // Coming back to the page with the browser's back button: allow saving again.
  window.addEventListener("pageshow", function () {
    sending = false;
  });
})();
