// Kept's script, on every page: the "Print this report" link, and the address of each link of
// the text for the printed page (the stylesheet prints it after the link).
(function () {
  "use strict";

  function addresses() {
    document.querySelectorAll(".md-content a[href]").forEach(function (link) {
      var href = link.getAttribute("href");
      if (href.charAt(0) === "#" || link.classList.contains("headerlink") || link.closest("table") ||
          link.textContent.trim() === link.href) {
        return;
      }
      link.setAttribute("data-kept-href", link.href);
    });
  }

  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest("a.kept-print") : null;
    if (link) {
      event.preventDefault();
      window.print();
    }
  });
  window.addEventListener("beforeprint", addresses);
  addresses();
})();
