// Progressive enhancement of the upload form: send it in the background, show how far the
// upload is, and put the answer in the page without a reload. Without JavaScript the form
// posts normally and the server renders the same page.
"use strict";
(function () {
  var form = document.getElementById("upload");
  if (!form || !window.XMLHttpRequest || !window.FormData || !window.DOMParser) {
    return;
  }
  var box = document.getElementById("progress");
  var bar = document.getElementById("progress-bar");
  var text = document.getElementById("progress-text");

  function show(message, value) {
    box.hidden = false;
    text.textContent = message;
    if (value === null) {
      bar.removeAttribute("value"); // an indeterminate bar while the server reads
    } else {
      bar.value = value;
    }
  }

  function replacePage(html) {
    var next = new DOMParser().parseFromString(html, "text/html");
    var main = next.getElementById("main");
    if (!main) {
      return false;
    }
    document.title = next.title;
    document.getElementById("main").replaceWith(document.adoptNode(main));
    main.focus();
    window.scrollTo(0, 0);
    return true;
  }

  function failed() {
    show(box.dataset.failed, 0);
    form.querySelector("button[type=submit]").disabled = false;
  }

  form.addEventListener("submit", function (event) {
    if (!form.reportValidity()) {
      return;
    }
    event.preventDefault();
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        show(box.dataset.uploading + " " + Math.round((100 * e.loaded) / e.total) + "%",
             Math.round((100 * e.loaded) / e.total));
      }
    });
    request.upload.addEventListener("load", function () {
      show(box.dataset.processing, null);
    });
    request.addEventListener("load", function () {
      var type = request.getResponseHeader("Content-Type") || "";
      if (type.indexOf("text/html") !== 0 || !replacePage(request.responseText)) {
        failed();
      }
    });
    request.addEventListener("error", failed);
    show(box.dataset.uploading, 0);
    form.querySelector("button[type=submit]").disabled = true;
    request.send(new FormData(form));
  });
})();
