"""Reports: context builders [pure], HTML through Jinja2 and PDF through WeasyPrint [IO].

``context.py`` turns the pipeline's frames into one frozen dataclass per page type;
``html.py`` renders it with the templates in the repository's ``templates/`` folder;
``pdf.py`` prints the HTML to PDF without fetching anything from outside.
"""
