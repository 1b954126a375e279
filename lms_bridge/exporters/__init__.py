"""Route card and registry out: JSON, XML, DOCX."""
