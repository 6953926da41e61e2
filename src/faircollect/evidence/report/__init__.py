"""The evidence report: HTML from Jinja2 templates, SVG charts, a PDF printed with WeasyPrint."""
