/*
 * Runs inside the /embed/<slug> iframe: tells the partner's page how tall the list is, so
 * embed.js there can size the iframe to show every item and the "More" link. It sends only its
 * height (when it loads, when it changes, and when embed.js asks); a page without embed.js
 * ignores the message and the iframe keeps the height it was given.
 */
(function () {
  "use strict";
  if (window.parent === window) {
    return;
  }
  var last = 0;
  // The content's own height, margins included: the document's scrollHeight is never less than
  // the frame's, so a frame made taller (a partner's CSS height, a rotated phone) never shrank.
  function contentHeight() {
    var body = document.body;
    var style = window.getComputedStyle(body);
    var margins = parseFloat(style.marginTop) + parseFloat(style.marginBottom);
    return body.getBoundingClientRect().height + (margins || 0);
  }
  function send() {
    var height = Math.ceil(contentHeight());
    if (height !== last) {
      last = height;
      window.parent.postMessage({ type: "aggregator-embed-height", height: height }, "*");
    }
  }
  // embed.js asks when it starts after this frame has sent its height (it is loaded async).
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.source === window.parent && data && data.type === "aggregator-embed-ask-height") {
      last = 0;
      send();
    }
  });
  if (window.ResizeObserver) {
    new window.ResizeObserver(send).observe(document.body);
  }
  window.addEventListener("load", send);
  send();
})();
