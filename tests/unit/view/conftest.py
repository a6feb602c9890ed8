"""Images for the view's tests: the kernel tests' images, made without the build front end."""

from tests.unit.kernel.conftest import boot, make_image  # noqa: F401
