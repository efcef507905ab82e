// "Unduh PNG": draw the diagram's own SVG on a canvas (2x) and download it as a PNG file.
(function () {
  "use strict";
  var button = document.getElementById("synergy-png");
  var svg = document.getElementById("synergy-svg");
  if (!button || !svg || !window.XMLSerializer) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    var width = Number(svg.getAttribute("width")) || 640;
    var height = Number(svg.getAttribute("height")) || 460;
    var scale = 2;
    var source = new XMLSerializer().serializeToString(svg);
    var image = new Image();
    image.onload = function () {
      var canvas = document.createElement("canvas");
      canvas.width = width * scale;
      canvas.height = height * scale;
      var context = canvas.getContext("2d");
      context.fillStyle = "#ffffff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      canvas.toBlob(function (blob) {
        var link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = button.getAttribute("data-filename") || "sinergi.png";
        document.body.appendChild(link);
        link.click();
        setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
      }, "image/png");
    };
    image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(source);
  });
})();
