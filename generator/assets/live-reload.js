// Pages served by `kept serve` reload themselves once a new build is in place.
(function () {
  var seen = null;
  function poll() {
    fetch("/__kept/build", {cache: "no-store"}).then(function (r) { return r.text(); })
      .then(function (id) { if (seen !== null && id !== seen) { location.reload(); } seen = id; })
      .catch(function () {}).finally(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
