/* The desk, a little better with JavaScript: the focus back in the scan box after every answer,
   Escape clears the box (and brings the focus back to it), a short sound for each outcome, and
   a Print button on receipts and slips. Everything works without this file: the forms are plain
   POSTs and every outcome also has a colour and words. */
(function () {
  "use strict";

  function scanBox() {
    return document.querySelector("[data-scan]");
  }

  function focusScan() {
    var box = scanBox();
    if (box) {
      box.focus();
    }
  }

  function announce() {
    var panel = document.getElementById("desk-panel");
    if (!panel) {
      return;
    }
    var url = panel.getAttribute("data-sound");
    if (url) {
      panel.setAttribute("data-sound", "");
      document.body.setAttribute("data-last-sound", url);
      try {
        var played = new Audio(url).play();
        if (played && played.catch) {
          played.catch(function () {}); // a browser that refuses autoplay: the colour and words remain
        }
      } catch (ignored) {
        // no audio on this machine
      }
    }
    focusScan();
  }

  document.addEventListener("DOMContentLoaded", announce);
  document.addEventListener("htmx:afterSettle", announce);

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var box = scanBox();
    if (box) {
      box.value = "";
      box.focus();
      event.preventDefault();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });
  });
})();
