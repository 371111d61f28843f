// 数改助手管理台: small progressive enhancements, loaded as a file (the CSP forbids inline scripts).
// - forms with data-confirm ask before submitting (delete, disable, close);
// - elements with data-toggle="ID" show/hide the element with that id.
document.addEventListener('submit', function (ev) {
  var form = ev.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) ev.preventDefault();
});
document.addEventListener('click', function (ev) {
  var t = ev.target;
  if (!(t instanceof HTMLElement)) return;
  var id = t.getAttribute('data-toggle');
  if (id) {
    var el = document.getElementById(id);
    if (el) el.classList.toggle('hidden');
    ev.preventDefault();
  }
});
