/*
 * A picture that fails to load (the source's server down, a hotlink refusal, a removed file) is
 * taken away instead of shown as the browser's broken-image icon: a card (or an item of the
 * iframe embed) loses its picture box and is laid out as one without, an article its lead
 * picture, and a picture in the content only itself. Without script, pages look as before.
 */
(function () {
  "use strict";
  function remove(img) {
    var thumb = img.closest(".card-thumb");
    if (thumb) {
      var card = thumb.closest(".card");
      if (card) {
        card.classList.remove("has-thumb");
      }
      thumb.remove();
      return;
    }
    if (img.classList.contains("embed-thumb")) {
      var entry = img.closest(".embed-item");
      if (entry) {
        entry.classList.remove("has-thumb");
      }
      img.remove();
      return;
    }
    var lead = img.closest(".story-image");
    if (lead) {
      lead.remove();
      return;
    }
    img.hidden = true;
  }
  // Errors of pictures that fail after this runs (error events do not bubble: capture them).
  document.addEventListener(
    "error",
    function (event) {
      if (event.target instanceof HTMLImageElement) {
        remove(event.target);
      }
    },
    true
  );
  // Pictures that failed before it ran (it is deferred: the page was parsed first).
  Array.prototype.forEach.call(document.images, function (img) {
    if (img.complete && img.naturalWidth === 0 && img.getAttribute("src")) {
      remove(img);
    }
  });
})();
