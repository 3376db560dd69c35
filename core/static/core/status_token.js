// The status link carries its token after "#", which a browser never sends: no server, proxy or
// access log records it, and no Referer carries it. This posts it, as the form below would be
// posted, and takes it out of the address. Without JavaScript the person pastes the link.
(function () {
  var match = /(?:^#|&)t=([^&]+)/.exec(window.location.hash);
  var field = document.getElementById("id_token");
  if (!match || !field) {
    return;
  }
  window.history.replaceState(null, "", window.location.pathname + window.location.search);
  field.value = decodeURIComponent(match[1]);
  field.form.submit();
})();
