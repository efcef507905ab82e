/* In-browser check of a transparency-log receipt, with no dependency and no server help.
 *
 * Reads the JSON in <script id="inclusion-data" type="application/json">, recomputes the
 * entry's leaf hash (SHA-256 of 0x00 and the entry bytes), folds the RFC 6962 audit path up
 * to a root (RFC 9162 section 2.1.3.2) and compares it with the signed root; then checks
 * the tree head's Ed25519 signature where WebCrypto supports Ed25519. Messages come from
 * data-msg-* attributes so they are in the page's language. Also wires [data-print].
 */
(function () {
  "use strict";

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  var box = document.getElementById("browser-check");
  var dataNode = document.getElementById("inclusion-data");
  if (!box || !dataNode) { return; }
  var status = box.querySelector("[data-status]");
  var signature = box.querySelector("[data-signature]");

  // Shows a message; on the main status line also records the outcome on the box
  // (data-result = ok, fail or unavailable) for tests and styling.
  function show(node, key, state) {
    node.textContent = box.getAttribute("data-msg-" + key) || key;
    node.setAttribute("data-state", state);
    if (node === status) { box.setAttribute("data-result", state); }
  }

  if (!window.isSecureContext || !window.crypto || !window.crypto.subtle) {
    show(status, "insecure", "unavailable");
    return;
  }
  var subtle = window.crypto.subtle;

  function hexToBytes(hex) {
    var out = new Uint8Array(hex.length / 2);
    for (var i = 0; i < out.length; i++) { out[i] = parseInt(hex.substr(i * 2, 2), 16); }
    return out;
  }
  function bytesToHex(bytes) {
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function base64ToBytes(text) {
    var raw = atob(text), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out;
  }
  function concat(parts) {
    var length = parts.reduce(function (n, p) { return n + p.length; }, 0);
    var out = new Uint8Array(length), offset = 0;
    parts.forEach(function (p) { out.set(p, offset); offset += p.length; });
    return out;
  }
  async function sha256(bytes) { return new Uint8Array(await subtle.digest("SHA-256", bytes)); }
  function leafHash(entry) { return sha256(concat([new Uint8Array([0]), entry])); }
  function nodeHash(left, right) { return sha256(concat([new Uint8Array([1]), left, right])); }

  // RFC 9162 2.1.3.2; halving with Math.floor keeps indexes above 2^31 exact.
  async function rootFromAuditPath(index, size, leaf, path) {
    if (index >= size) { return null; }
    var fn = index, sn = size - 1, r = leaf;
    for (var i = 0; i < path.length; i++) {
      if (sn === 0) { return null; }
      if (fn % 2 === 1 || fn === sn) {
        r = await nodeHash(path[i], r);
        while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
      } else {
        r = await nodeHash(r, path[i]);
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    return sn === 0 ? r : null;
  }

  async function signatureValid(data) {
    // The signed bytes: canonical JSON of the tree head (sorted keys, no spaces).
    var signed = "{\"root_hash\":" + JSON.stringify(data.root_hash) +
      ",\"timestamp\":" + JSON.stringify(data.timestamp) +
      ",\"tree_size\":" + String(data.tree_size) + "}";
    var key = await subtle.importKey("raw", base64ToBytes(data.public_key), { name: "Ed25519" }, false, ["verify"]);
    return subtle.verify({ name: "Ed25519" }, key, base64ToBytes(data.signature), new TextEncoder().encode(signed));
  }

  async function run() {
    var data = JSON.parse(dataNode.textContent);
    var leaf = await leafHash(new TextEncoder().encode(data.entry));
    if (bytesToHex(leaf) !== data.leaf_hash) { show(status, "leaf", "fail"); return; }
    var path = data.audit_path.map(hexToBytes);
    var root = await rootFromAuditPath(data.index, data.tree_size, leaf, path);
    if (root === null || bytesToHex(root) !== data.root_hash) { show(status, "fail", "fail"); return; }
    var signatureOk;
    try {
      signatureOk = await signatureValid(data);
    } catch (error) {
      signatureOk = null;  // no Ed25519 in this browser's WebCrypto
    }
    if (signatureOk === false) {
      show(signature, "sig-fail", "fail");
      show(status, "fail", "fail");
      return;
    }
    show(signature, signatureOk ? "sig-ok" : "sig-unsupported", signatureOk ? "ok" : "unavailable");
    show(status, "ok", "ok");
  }

  run().catch(function () { show(status, "error", "fail"); });
})();
