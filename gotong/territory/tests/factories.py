import factory

from gotong.territory.models import RT, RW, Kelurahan


class KelurahanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Kelurahan
        django_get_or_create = ("region_code",)

    name = "Taman"
    slug = "taman"
    region_code = "35.77.03.1009"
    kecamatan = "Taman"
    kota_kabupaten = "Kota Madiun"
    provinsi = "Jawa Timur"
    is_demo = True


class RWFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RW

    kelurahan = factory.SubFactory(KelurahanFactory)
    number = factory.Sequence(lambda n: n + 1)


class RTFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RT

    rw = factory.SubFactory(RWFactory)
    kelurahan = factory.LazyAttribute(lambda rt: rt.rw.kelurahan)
    number = factory.Sequence(lambda n: n + 1)
