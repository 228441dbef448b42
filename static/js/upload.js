/* A file upload that shows how far it is: the form marked data-upload sends its file with
   XMLHttpRequest, fills the <progress> inside [data-upload-progress] while the file travels,
   says that the rows are being checked once it has arrived, then shows the server's answer as
   if the form had been sent normally (the report page, or the page a success leads to).
   Without this script the form posts as usual; the server does the same either way. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-upload]");
  var box = document.querySelector("[data-upload-progress]");
  if (!form || !box || !window.XMLHttpRequest || !window.FormData) {
    return;
  }
  var bar = box.querySelector("progress");
  var status = box.querySelector("[data-upload-status]");
  var button = form.querySelector("button[type=submit]");

  function say(text) {
    status.textContent = text;
  }

  form.addEventListener("submit", function (event) {
    var input = form.querySelector("input[type=file]");
    if (!input || !input.files || !input.files.length) {
      return; // nothing chosen: let the server say so
    }
    event.preventDefault();
    var request = new XMLHttpRequest();
    request.open("POST", form.action || window.location.href);
    request.upload.addEventListener("progress", function (progress) {
      if (progress.lengthComputable) {
        bar.value = Math.round((progress.loaded / progress.total) * 100);
      }
    });
    request.upload.addEventListener("load", function () {
      bar.removeAttribute("value"); // the server checks the rows: no measure of that
      say(box.getAttribute("data-checking"));
    });
    request.addEventListener("load", function () {
      // The answer replaces the page, as a normal post would; after a success the server led
      // to another page (its address goes to the address bar, the message with it).
      var page = request.responseText;
      var address = request.responseURL;
      document.open();
      document.write(page);
      document.close();
      if (address && window.history && window.history.replaceState) {
        window.history.replaceState(null, "", address);
      }
      // As after a page load, a screen reader starts at what the answer says first.
      var first = document.querySelector("main [role=alert], main h1");
      if (first) {
        first.setAttribute("tabindex", "-1");
        first.focus();
      }
    });
    request.addEventListener("error", function () {
      button.disabled = false;
      say(box.getAttribute("data-failed"));
    });
    button.disabled = true;
    box.hidden = false;
    bar.value = 0;
    say(box.getAttribute("data-sending"));
    request.send(new FormData(form));
  });
})();
