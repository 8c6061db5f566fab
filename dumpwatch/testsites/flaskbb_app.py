"""Run the real FlaskBB on 127.0.0.1 with SQLite, filled through FlaskBB's own models.

Executed by the interpreter of FlaskBB's own virtualenv (see flaskbb_real.py), never
imported by dumpwatch: ``python flaskbb_app.py WORKDIR CONTENT.json``. CONTENT lists
categories -> forums (``members_only`` hides a forum from guests) -> topics -> posts
(author, text). The app is installed as ``flaskbb install`` does (latest schema, default
groups and settings, an admin), the content is saved with ``Topic.save`` / ``Post.save``,
then Werkzeug serves it; the first line printed is ``READY <port>``.
"""

import json
import os
import sys

WORKDIR, CONTENT = sys.argv[1], sys.argv[2]

CONFIG = """
SQLALCHEMY_DATABASE_URI = "sqlite:///{db}"
SQLALCHEMY_TRACK_MODIFICATIONS = False
SECRET_KEY = "dumpwatch-test-secret"
WTF_CSRF_SECRET_KEY = "dumpwatch-test-csrf"
DEBUG = False
TESTING = False
REDIS_ENABLED = False
CELERY_ALWAYS_EAGER = True
MAIL_DEFAULT_SENDER = ("FlaskBB", "noreply@localhost")
LOG_PATH = "{logs}"
LOG_DEFAULT_CONF = {{"version": 1, "disable_existing_loggers": False, "handlers": {{}},
                     "loggers": {{}}}}
WHOOSHEE_DIR = "{whoosh}"
"""


def main() -> None:
    os.makedirs(os.path.join(WORKDIR, "logs"), exist_ok=True)
    cfg = os.path.join(WORKDIR, "flaskbb.cfg")
    with open(cfg, "w") as fh:
        fh.write(CONFIG.format(db=os.path.join(WORKDIR, "flaskbb.sqlite"),
                               logs=os.path.join(WORKDIR, "logs"),
                               whoosh=os.path.join(WORKDIR, "whoosh")))
    from flaskbb import create_app
    from flaskbb.extensions import db
    from flaskbb.forum.models import Category, Forum, Post, Topic
    from flaskbb.user.models import Group
    from flaskbb.utils.populate import (
        create_default_groups,
        create_default_settings,
        create_latest_db,
        create_user,
    )
    from werkzeug.serving import make_server

    app = create_app(cfg)
    with open(CONTENT, encoding="utf-8") as fh:
        content = json.load(fh)
    with app.app_context():
        db.drop_all()
        create_latest_db()
        create_default_groups()
        create_default_settings()
        if content.get("settings"):  # e.g. posts_per_page, topics_per_page
            from flaskbb.management.models import Setting

            Setting.update(content["settings"])
        create_user("admin", "admin-pass-123", "admin@localhost", "admin")
        users = {}
        for name in content.get("users", []):
            users[name["username"]] = create_user(name["username"], name["password"],
                                                  name["username"] + "@localhost", "member")
        guest = Group.query.filter_by(guest=True).first()
        for c_pos, cat in enumerate(content["categories"], 1):
            category = Category(title=cat["title"], position=c_pos)
            category.save()
            for f_pos, f in enumerate(cat["forums"], 1):
                groups = [g for g in Group.query.all()
                          if not (f.get("members_only") and g.id == guest.id)]
                forum = Forum(title=f["title"], description=f.get("description", ""),
                              category_id=category.id, position=f_pos)
                forum.groups = groups  # Forum.save(groups=...) ignores them on insert
                forum.save(groups=groups)
                for t in f["topics"]:
                    first, *rest = t["posts"]
                    author = _user(users, first["author"])
                    topic = Topic(title=t["title"])
                    topic.save(user=author, forum=forum, post=Post(content=first["text"]))
                    for p in rest:
                        Post(content=p["text"]).save(user=_user(users, p["author"]),
                                                     topic=topic)
        db.session.commit()
        with open(os.path.join(WORKDIR, "ids.json"), "w") as fh:
            json.dump({"topics": [[t.id, t.title] for t in Topic.query.all()],
                       "posts": [[p.id, p.topic_id] for p in Post.query.all()]}, fh)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(f"READY {server.server_port}", flush=True)
    server.serve_forever()


def _user(users, name):
    if name not in users:
        from flaskbb.utils.populate import create_user

        users[name] = create_user(name, name + "-pass-123", name + "@localhost", "member")
    return users[name]


if __name__ == "__main__":
    main()
