// LTI Dynamic Registration: tell the platform (Moodle frames this page) that registration is done.
(function () {
  var target = document.currentScript.getAttribute("data-origin") || "*";
  var message = { subject: "org.imsglobal.lti.close" };
  if (window.opener) { window.opener.postMessage(message, target); }
  if (window.parent && window.parent !== window) { window.parent.postMessage(message, target); }
})();
