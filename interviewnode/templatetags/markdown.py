from django import template

from interviewnode.markdown import render_markdown, render_user_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str):
    """The bank's curated text."""
    return render_markdown(text)


@register.filter(name="user_markdown")
def user_markdown_filter(text: str):
    """What a candidate or a coach wrote: no images, headings demoted."""
    return render_user_markdown(text)
