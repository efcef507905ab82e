// Stakeholder synergy diagram: choosing a node (click, tap, or Tab then Enter) opens its
// panel beside or below the diagram; "Unduh PNG (2x/4x)" draws the SVG shown on screen on
// a canvas at that scale and downloads it. A static file: the site's CSP allows no inline
// script. Without JavaScript the nodes are plain links and the panel is their :target.
(function () {
  "use strict";
  var root = document.getElementById("synergy");
  if (!root) { return; }
  root.classList.add("js");

  function panelFor(code) { return document.getElementById("node-" + code); }

  function select(code, reveal) {
    var panel = panelFor(code);
    if (!panel) { return; }
    root.classList.add("has-choice");
    Array.prototype.forEach.call(root.querySelectorAll(".node-panel"), function (p) {
      p.classList.toggle("is-open", p === panel);
    });
    Array.prototype.forEach.call(root.querySelectorAll(".syn-node"), function (a) {
      var on = a.getAttribute("data-node") === code;
      a.classList.toggle("is-selected", on);
      if (on) { a.setAttribute("aria-current", "true"); } else { a.removeAttribute("aria-current"); }
    });
    if (reveal) {
      // On a phone the panel is below the diagram: bring it into view.
      var box = panel.getBoundingClientRect();
      if (box.top > window.innerHeight || box.bottom < 0) {
        panel.scrollIntoView({ behavior: "smooth", block: "start" });
      }
    }
  }

  root.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest(".syn-node") : null;
    if (!link) { return; }
    event.preventDefault();
    var code = link.getAttribute("data-node");
    if (window.history && history.replaceState) { history.replaceState(null, "", "#node-" + code); }
    select(code, true);
  });

  var initial = (location.hash || "").replace(/^#node-/, "");
  if (initial && panelFor(initial)) { select(initial, false); }

  // --- PNG export --------------------------------------------------------------------
  function shownSvg() {
    var svgs = root.querySelectorAll("svg.synergy-svg");
    for (var i = 0; i < svgs.length; i++) {
      if (svgs[i].getBoundingClientRect().width > 0) { return svgs[i]; }
    }
    return svgs[0];
  }

  function download(button) {
    var svg = shownSvg();
    var scale = Number(button.getAttribute("data-scale")) || 2;
    var width = Number(svg.getAttribute("width"));
    var height = Number(svg.getAttribute("height"));
    var copy = svg.cloneNode(true);
    Array.prototype.forEach.call(copy.querySelectorAll(".is-selected"), function (a) {
      a.classList.remove("is-selected");
    });
    var source = new XMLSerializer().serializeToString(copy);
    var image = new Image();
    image.onload = function () {
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      var context = canvas.getContext("2d");
      context.fillStyle = "#ffffff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      canvas.toBlob(function (blob) {
        var link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = (button.getAttribute("data-filename") || "sinergi") + "-" +
          svg.getAttribute("data-orientation") + "-" + scale + "x.png";
        document.body.appendChild(link);
        link.click();
        setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
      }, "image/png");
    };
    image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(source);
  }

  if (!window.XMLSerializer || !document.createElement("canvas").toBlob) { return; }
  Array.prototype.forEach.call(root.querySelectorAll(".synergy-png"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { download(button); });
  });
})();
