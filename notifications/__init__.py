"""The one way messages reach residents: email through Django, SMS through a pluggable backend."""
