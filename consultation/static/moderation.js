// Moderation page: selecting words in an answer fills that answer's "Remove words" form,
// with the occurrence the selection is (the form works the same without this script).
(function () {
  "use strict";
  function occurrenceAt(text, words, offset) {
    var count = 0, at = text.indexOf(words);
    while (at !== -1 && at <= offset) {
      count += 1;
      if (at === offset) { return count; }
      at = text.indexOf(words, at + words.length);
    }
    return count || 1;
  }
  function offsetIn(container, node, offset) {
    var range = document.createRange();
    range.selectNodeContents(container);
    range.setEnd(node, offset);
    return range.toString().length;
  }
  document.addEventListener("mouseup", fill);
  document.addEventListener("keyup", fill);
  function fill() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) { return; }
    var range = selection.getRangeAt(0);
    var start = range.startContainer.nodeType === 1 ? range.startContainer : range.startContainer.parentNode;
    var container = start.closest && start.closest(".moderated-text");
    if (!container || !container.contains(range.endContainer)) { return; }
    var words = selection.toString();
    if (!words.trim()) { return; }
    var form = document.querySelector('.redact-form[data-answer="' + container.dataset.answer + '"]');
    if (!form) { return; }
    var text = container.textContent;
    var offset = offsetIn(container, range.startContainer, range.startOffset);
    form.querySelector('textarea[name="words"]').value = words;
    var occurrence = form.querySelector('input[type="text"][name="occurrence"]');
    if (occurrence) { occurrence.value = String(occurrenceAt(text, words, offset)); }
  }
}());
