"""Admin forms that take a photo upload: checked in ``clean`` (a bad file is a form error and
nothing is written), stored with its renditions in ``save`` (catalogue/renditions.py)."""
from django import forms

from catalogue.models import PropertyPhoto
from catalogue.renditions import MIN_HEIGHT, MIN_WIDTH, picture_prepare, picture_store

UPLOAD_HELP = (f"JPEG, PNG or WebP, at least {MIN_WIDTH} × {MIN_HEIGHT} px; 1600 px wide or more looks "
               "sharp on every screen. Replaces the picture shown.")


class PictureUploadForm(forms.ModelForm):
    """A model form for a row with a ``picture``: an optional ``upload`` replaces it."""

    upload = forms.FileField(required=False, label="Upload a photo", help_text=UPLOAD_HELP,
                             widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))

    prepared = None

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload:
            self.prepared = picture_prepare(upload)  # a ValidationError is the field's error
        return upload

    def save(self, commit=True):
        if self.prepared is not None:
            self.instance.picture = picture_store(self.prepared)
        return super().save(commit)


class PropertyPhotoForm(PictureUploadForm):
    class Meta:
        model = PropertyPhoto
        fields = ("upload", "url", "alt", "position")

    def clean(self):
        cleaned = super().clean()
        has_picture = self.prepared is not None or self.instance.picture_id
        if not has_picture and not cleaned.get("url") and "upload" not in self.errors:
            raise forms.ValidationError("Upload a photo or give its URL.", code="no_photo")
        return cleaned
