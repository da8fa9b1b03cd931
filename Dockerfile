# Production image: gunicorn serving Django, static files built from npm and served by WhiteNoise.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend ./frontend
RUN npm run build

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=interviewnode.settings.production
WORKDIR /app
RUN useradd --create-home --uid 1000 app
COPY pyproject.toml ./
RUN pip install --no-cache-dir .
COPY . .
COPY --from=assets /app/static/dist ./static/dist
# collectstatic needs settings to import; these throwaway values never reach a running container.
RUN SECRET_KEY=build-only ALLOWED_HOSTS=localhost REDIS_URL=redis://localhost:6379/0 python manage.py collectstatic --no-input
USER app
EXPOSE 8000
CMD ["gunicorn", "interviewnode.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
